"""Production settings: `gunicorn app:server` reads this file from the working directory.

HOST, PORT and WEB_CONCURRENCY override the bind address and the number of workers.
"""

import os

import gunicorn.http.wsgi

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core on the 2-core reference machine
worker_class = "sync"
preload_app = True  # build or check geodata/processed once, before forking
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

# No version banner: answer "Server: hifu-atlas" instead of "gunicorn/<version>".
gunicorn.http.wsgi.SERVER = "hifu-atlas"
