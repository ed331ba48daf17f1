from django.urls import path

from wenming.api.api import api
from wenming.voting.api import post_vote

# The vote is a plain view (see its docstring), resolved before the ninja API's paths.
urlpatterns = [path("v1/votes", post_vote, name="post_vote"), path("v1/", api.urls)]
