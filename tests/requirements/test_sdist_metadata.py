"""Reading a source release's declared dependencies without building it."""

from __future__ import annotations

import io
import tarfile
import zipfile

from hfdeploy.requirements.sdist_metadata import sdist_requirements


def tar_gz(files: dict[str, str], top: str = "pkg-1.0") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_static_pkg_info_is_authoritative() -> None:
    pkg_info = "Metadata-Version: 2.2\nName: pkg\nVersion: 1.0\nRequires-Dist: a>=1\nRequires-Dist: b; python_version < '3'\n"
    assert sdist_requirements(tar_gz({"PKG-INFO": pkg_info}), "pkg-1.0.tar.gz") == [
        "a>=1",
        "b; python_version < '3'",
    ]
    dynamic = pkg_info + "Dynamic: Requires-Dist\n"
    assert sdist_requirements(tar_gz({"PKG-INFO": dynamic}), "pkg-1.0.tar.gz") is None
    old = pkg_info.replace("2.2", "2.1")
    assert sdist_requirements(tar_gz({"PKG-INFO": old}), "pkg-1.0.tar.gz") is None


def test_egg_info_requires_txt_keeps_markers_and_drops_extras() -> None:
    requires = 'a\nb>=2\n\n[:python_version < "3.8"]\nc\n\n[dev]\npytest\n'
    data = tar_gz({"PKG-INFO": "Metadata-Version: 2.1\n", "pkg.egg-info/requires.txt": requires})
    assert sdist_requirements(data, "pkg-1.0.tar.gz") == ["a", "b>=2", 'c; python_version < "3.8"']


def test_setup_py_is_read_as_a_tree_never_run() -> None:
    literal = "from setuptools import setup\nsetup(name='pkg', install_requires=['x', 'y>1'])\n"
    assert sdist_requirements(tar_gz({"setup.py": literal}), "pkg-1.0.tar.gz") == ["x", "y>1"]
    reads = (
        "import setuptools\n"
        "setuptools.setup(install_requires=open('requirements.txt').read().splitlines())\n"
    )
    files = {"setup.py": reads, "requirements.txt": "# deps\nvalues\n-r other.txt\nz==1 # pin\n"}
    assert sdist_requirements(tar_gz(files), "pkg-1.0.tar.gz") == ["values", "z==1"]
    # Computed in a way a tree does not tell: unknown, not "no dependencies".
    computed = "from setuptools import setup\nsetup(install_requires=deps())\n"
    assert sdist_requirements(tar_gz({"setup.py": computed}), "pkg-1.0.tar.gz") is None
    raises = "raise SystemExit('would run')\n"  # never executed
    assert sdist_requirements(tar_gz({"setup.py": raises}), "pkg-1.0.tar.gz") is None


def test_setup_cfg_and_zip_archives() -> None:
    cfg = "[options]\ninstall_requires =\n    one\n    two>=2\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pkg-1.0/setup.cfg", cfg)
    assert sdist_requirements(buffer.getvalue(), "pkg-1.0.zip") == ["one", "two>=2"]


def test_unreadable_archives_are_unknown() -> None:
    assert sdist_requirements(b"not an archive", "pkg-1.0.tar.gz") is None
    assert sdist_requirements(b"", "pkg-1.0.whl") is None
