"""The `Finding`: what a compliance rule reports. Findings are data, never exceptions.

A rule never blocks an import or a status change: it reports, and people act.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How serious a finding is."""

    violation = "violation"
    warning = "warning"
    info = "info"


@dataclass(frozen=True)
class Finding:
    """One thing a rule found.

    Parameters
    ----------
    rule
        The rule's code in LEGAL.md (``R01``…).
    legal_ref
        The legal reference the rule stands on (``CSI L252-1``).
    severity
        ``violation``, ``warning`` or ``info``.
    subject_type
        What the finding is about: ``camera``, ``authorisation``, ``habilitation``, ``sign``,
        ``network``.
    subject_id
        The subject's identifier (camera id, authorisation reference…).
    message
        What is wrong, in French (shown to the DPO and in the inspection pack).
    evidence
        The facts the rule used (JSON-able).
    """

    rule: str
    legal_ref: str
    severity: Severity
    subject_type: str
    subject_id: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "legal_ref": self.legal_ref,
            "severity": str(self.severity),
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "message": self.message,
            "evidence": self.evidence,
        }


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    """Number of findings per severity (every severity present, 0 when none)."""
    counts = Counter(str(f.severity) for f in findings)
    return {s.value: counts.get(s.value, 0) for s in Severity}


_ORDER = {Severity.violation: 0, Severity.warning: 1, Severity.info: 2}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Violations first, then by rule and subject."""
    return sorted(findings, key=lambda f: (_ORDER[f.severity], f.rule, f.subject_type,
                                           f.subject_id, f.message))
