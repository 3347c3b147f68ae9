"""Package layout for setuptools (the rest of the metadata is in pyproject.toml).

model/ and properties/ sit at the top of the tree (the layers are folders)
and install as dirproof.model and dirproof.properties; every subpackage of
the three roots is found automatically, so a new module or folder ships
without editing a list.
"""

from setuptools import find_packages, setup

ROOTS = {"dirproof": "dirproof", "dirproof.model": "model", "dirproof.properties": "properties"}

packages, package_dir = [], {}
for name, path in ROOTS.items():
    package_dir[name] = path
    packages += [name] + [f"{name}.{sub}" for sub in find_packages(path)]

setup(packages=packages, package_dir=package_dir)
