"""civicpulse: public social media for public safety, with privacy and accountability built in."""

import os

# One BLAS thread per process, set before numpy loads its BLAS. civicpulse scales with processes
# (source, analysers, store); a multi-threaded OpenBLAS keeps its idle threads spinning after each
# matrix product and takes the CPU the other processes need (measured: one 1,000 x 256 by 256 x 4
# product per batch made the whole analyser chain cost 60 % more CPU per post). An explicit
# setting in the environment wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
del _variable

from civicpulse.errors import CivicpulseError  # noqa: E402
from civicpulse.post import Author, Geo, GeoSource, Media, MediaKind, Metrics, Post  # noqa: E402

__all__ = ["Author", "CivicpulseError", "Geo", "GeoSource", "Media", "MediaKind", "Metrics", "Post",
           "__version__"]

__version__ = "0.1.0"
