"""requirements domain: dependency files, the package index, and the lock for the image.

Other domains use `hfdeploy.requirements.deps` (declared_dependencies, is_declared,
lock_path, install_file)."""
