"""Compliance and transparency: the legal rules of LEGAL.md checked every day.

- `findings`: the `Finding` value (rule, legal reference, severity, subject, message, evidence);
- `rules`: one pure function per rule of a `snapshot.Snapshot`; `run_rules` runs them;
- `documents`, `signage`, `masks`: authorisation file pieces, the signage register, privacy
  masks and the dwellings each camera sees; `store` keeps them;
- `pack`: the inspection pack (HTML and PDF, French); `transparency`: the public register.

Rules report; they never block an import or a status change.
"""
