from django.urls import path

from wenming.core.views import accounts, audit, auth, demo, files, health, kept, notifications, wechat

app_name = "core"
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics_view, name="metrics"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("office/audit/", audit.audit_list, name="audit_list"),
    path("office/audit/export.xlsx", audit.audit_export, name="audit_export"),
    path("office/users/", accounts.user_list, name="user_list"),
    path("office/users/new/", accounts.user_edit, name="user_create"),
    path("office/users/<str:pk>/", accounts.user_edit, name="user_edit"),
    path("office/users/<str:pk>/toggle/", accounts.user_toggle, name="user_toggle"),
    path("files/<str:token>/", files.file, name="file"),
    path("demo/outbox", demo.outbox, name="demo_outbox"),
    path("uploads/kept/<str:token>/", kept.kept_photo, name="kept_photo"),
    path("wechat/login/", wechat.login, name="wechat_login"),
    path("wechat/callback/", wechat.callback, name="wechat_callback"),
    path("wechat/jssdk/", wechat.jssdk_config, name="wechat_jssdk"),
    path("notifications/", notifications.inbox, name="inbox"),
    path("notifications/read-all/", notifications.read_all, name="notifications_read_all"),
    path("notifications/preferences/", notifications.preferences, name="notification_preferences"),
    path("notifications/preferences/wechat/", notifications.wechat_binding, name="notification_wechat"),
    path("notifications/<str:pk>/open/", notifications.open_notification, name="notification_open"),
]
