"""gunicorn settings for every deployment (Heroku, Docker, plain gunicorn)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread workers keep heartbeating while a thread waits; conversions run in background threads.
worker_class = "gthread"
# A client that trickles its request holds a thread until the request is complete (gunicorn has
# no time limit for that), so threads are many: an idle thread costs little, and 2 x 100 of them
# keep /health answering with 64+ slow clients connected. In public, put a buffering proxy in
# front (Heroku's router is one; docker-compose.yml has nginx), which never passes on a request
# before it is whole.
threads = int(os.environ.get("GUNICORN_THREADS", "100"))
timeout = 30
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
