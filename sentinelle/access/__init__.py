"""Access control and audit: users and roles, sessions, habilitations, the audit hash chain.

Modules, one concept each:

``keys``          the server secret and the keys derived from it (credentials, audit, sessions)
``passwords``     argon2 hashing and password rules
``users``         accounts and roles; login with throttling and optional TOTP
``sessions``      web sessions stored in the database (random ids, CSRF token, expiry)
``habilitations`` who may see which cameras, with which rights, until when (CSI L252-2, R252-12)
``policy``        the route × role matrix, in one table (deny by default)
``audit``         the append-only, hash-chained audit log with its HMAC head checkpoint
``registry_changes``  registry imports and edits that write their audit entry in one transaction

Nothing is imported here, so that ``sentinelle.registry`` may use ``access.keys`` without a cycle.
"""
