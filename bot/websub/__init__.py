"""WebSub (W3C): be told of a feed's new stories instead of asking.

discovery.py (a feed's hub and topic, pure), signature.py (X-Hub-Signature, pure), lease.py
(subscription states and their timing, pure), subscriber.py (the worker's requests to hubs),
callback.py (the web role's answers to hubs), server.py (the web role's HTTP server).
"""
