"""Finding codes and their default severities (docs/rules.md has an entry for each)."""

from __future__ import annotations

from .model import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# The severity each code has unless the rules say otherwise (docs/rules.md explains each).
DEFAULT_SEVERITY: dict[str, Severity] = {
    "card-invalid": E,
    "license-missing": E,
    "license-unknown": E,
    "license-family": W,
    "license-denied": E,
    "license-not-allowed": E,
    "license-conflict": W,
    "license-file-mismatch": W,
    "license-file-unreadable": W,
    "commercial-use-forbidden": E,
    "hosted-service-forbidden": E,
    "redistribution-forbidden": E,
    "derivatives-forbidden": E,
    "use-restricted": E,
    "use-review": W,
    "output-training-restricted": E,
    "threshold-exceeded": E,
    "threshold-unknown": W,
    "geography-excluded": E,
    "geography-review": W,
    "permission-unclear": W,
    "obligation-unaccepted": E,
    "obligation-duty": INFO,
    "gated": INFO,
    "base-unresolved": W,
    "lineage-conflict": E,
    "license-version-mismatch": W,
    "stale-license": INFO,
    "pass-through-missing": W,
    "name-prefix-missing": E,
    "merge-incompatible": E,
    "dataset-restricted": W,
    "dataset-unresolved": INFO,
    "license-drift": E,
    "license-file-missing": E,
    "notice-missing": E,
    "attribution-missing": W,
    "waiver-expired": W,
    "waiver-unused": INFO,
}
