# The app servers behind Varnish and who may purge: included by newsroom.vcl.
# This one is for one box: gunicorn on 127.0.0.1:8000 (make serve). For
# several app nodes, declare a backend each and add them to the director.

import directors;

probe newsroom_health {
    # robots.txt needs no database and is page-cached: it tells whether
    # gunicorn answers. Host must be in ALLOWED_HOSTS, and X-Forwarded-Proto
    # spares the probe the HTTPS redirect.
    .request =
        "GET /robots.txt HTTP/1.1"
        "Host: news.example.org"
        "X-Forwarded-Proto: https"
        "Connection: close";
    .interval = 1s;
    # A busy node answers a probe late, not never: sick only after three of
    # the last five probes failed, each given two seconds. A node that is
    # really gone is skipped before that by vcl_backend_error's retry.
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
    # Healthy from the start: no 503s while the first probes run.
    .initial = 3;
}

backend app1 {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 1s;
    # gunicorn's own --timeout is 30 s.
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
    .max_connections = 100;
    .probe = newsroom_health;
}

# Who may PURGE: this box and the app nodes (their after-commit purges).
acl purgers {
    "127.0.0.1";
    "::1";
    # "10.0.0.0"/24;
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
}

sub newsroom_backend {
    set req.backend_hint = app.backend();
}
