from django.urls import path

from wenming.voting import views

app_name = "voting"
urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("board/", views.board_page, name="board"),
    path("board/board.csv", views.board_csv, name="board_csv"),
    path("board/tally.json", views.tally_json, name="tally_json"),
    path("lottery/", views.lotteries, name="lotteries"),
    path("lottery/rerun.py", views.lottery_rerun, name="lottery_rerun"),
    path("lottery/<str:pk>/", views.lottery_page, name="lottery"),
    path("lottery/<str:pk>/entrants.txt", views.lottery_entrants, name="lottery_entrants"),
    path("lottery/<str:pk>/lottery.json", views.lottery_json, name="lottery_json"),
    path("<str:pk>/", views.vote, name="vote"),
    path("receipt/<str:receipt>/", views.receipt, name="receipt"),
]
