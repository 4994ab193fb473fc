from setuptools import setup

with open("requirements.txt") as handle:
    requirements = handle.read().splitlines()

setup(name="demo", version="0.1", py_modules=["main"], install_requires=requirements)
