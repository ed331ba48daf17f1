from django.urls import path

from wenming.api.api import api
from wenming.voting.api import get_leaderboard, post_vote

# The two busiest endpoints are plain views (see post_vote), resolved before the ninja API's paths.
urlpatterns = [
    path("v1/votes", post_vote, name="post_vote"),
    path("v1/leaderboard", get_leaderboard, name="get_leaderboard"),
    path("v1/", api.urls),
]
