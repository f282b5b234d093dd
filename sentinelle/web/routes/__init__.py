"""One router per audience: public (open) and internal (to be closed by access control)."""
