"""Operations outside the request path: building static files once per release, backups and
restores. Used by the `wenming` command (cli.py); nothing in the apps imports it."""
