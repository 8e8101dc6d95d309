"""Health: whether this process can serve requests now (for load balancers and monitoring).

readiness.py  the readiness checks behind /readyz: database, evidence store, key ring, limiter
"""
