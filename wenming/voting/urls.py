from django.urls import path

from wenming.voting import views

app_name = "voting"
urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("board/", views.board_page, name="board"),
    path("board/board.csv", views.board_csv, name="board_csv"),
    path("board/tally.json", views.tally_json, name="tally_json"),
    path("<str:pk>/", views.vote, name="vote"),
    path("receipt/<str:receipt>/", views.receipt, name="receipt"),
]
