"""Loading a shipped ``.npz`` artefact after checking it was built for the features the code computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["load_checked"]


def load_checked(path: Path, feature_names: tuple[str, ...], rebuild: str) -> dict[str, npt.NDArray[np.generic]]:
    """Every array in ``path``; an artefact whose ``feature_names`` differ (code and model out of step)
    is refused with the script that rebuilds it, rather than scoring garbage."""
    with np.load(path, allow_pickle=False) as npz:
        if tuple(str(x) for x in npz["feature_names"]) != feature_names:
            raise ValueError(f"{path} was built for other features; rebuild it with {rebuild}")
        return {name: npz[name] for name in npz.files}
