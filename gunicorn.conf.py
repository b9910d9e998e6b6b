"""gunicorn's settings for every way Voxboard's web runs (the image's CMD, the benches and
the multi-host test start gunicorn from this folder, where it reads this file).

keepalive: how long an idle connection is held open. gunicorn's default, 2 s, closes a
connection just as a browser, a load balancer or a poll every 2 s sends its next request
on it, which the sender sees as a reset (bench/load.py counted 21 in 3,691 requests).
Longer than the idle timeout of the proxies a team puts in front (nginx 75 s, most cloud
load balancers 60 s), so the proxy, not gunicorn, closes an idle connection first.
"""

keepalive = 75
