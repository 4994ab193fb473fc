from hfdeploy.cli import run

run()
