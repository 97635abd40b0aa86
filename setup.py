"""Only what pyproject.toml cannot say: the top-level `conversations/` folder (dialogs as data) is
installed as `bot/conversations/`, so a regular `pip install .` carries the dialogs too."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["bot", "bot.*"], exclude=["*.__pycache__"]), "bot.conversations"],
    package_dir={"bot.conversations": "conversations"},
)
