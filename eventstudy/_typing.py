"""Type aliases shared across the package."""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

Float64Array: TypeAlias = npt.NDArray[np.float64]
Int64Array: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
DateLike: TypeAlias = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64
ReturnKind: TypeAlias = Literal["simple", "log"]
