"""Custody of footage: judicial requisitions, legal holds, data-subject rights requests,
retention (the purge) and the destruction register.

- `requisitions`: `RequisitionStore` (record, ensure, close; outcomes for `evaluate usefulness`).
- `holds`: `HoldStore` (what retention may not purge).
- `rights_requests`: `RightsRequestStore` (a request holds its window at once; one-month deadline).
- `retention`: `plan_purge` (pure) and `execute_purge`.
- `destruction`: the destruction register.
"""
