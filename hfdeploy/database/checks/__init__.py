"""Checks of the database domain, in code order."""

from __future__ import annotations

from hfdeploy.check import Check
from hfdeploy.database.checks.alembic_env_cannot_import_app import AlembicEnvCannotImportApp
from hfdeploy.database.checks.alembic_percent_not_doubled import AlembicPercentNotDoubled
from hfdeploy.database.checks.alembic_url_not_app_url import AlembicUrlNotAppUrl
from hfdeploy.database.checks.assembled_url_without_server import AssembledUrlWithoutServer
from hfdeploy.database.checks.database_driver_not_declared import DatabaseDriverNotDeclared
from hfdeploy.database.checks.database_port_blocked import DatabasePortBlocked
from hfdeploy.database.checks.database_schema_never_created import DatabaseSchemaNeverCreated
from hfdeploy.database.checks.database_url_default_local_server import (
    DatabaseUrlDefaultLocalServer,
)
from hfdeploy.database.checks.database_url_unset_on_space import DatabaseUrlUnsetOnSpace
from hfdeploy.database.checks.migration_during_build import MigrationDuringBuild
from hfdeploy.database.checks.migrations_not_run_at_start import MigrationsNotRunAtStart
from hfdeploy.database.checks.postgres_scheme_removed import PostgresSchemeRemoved
from hfdeploy.database.checks.relative_sqlite_path import RelativeSqlitePath
from hfdeploy.database.checks.schema_created_in_unused_code import SchemaCreatedInUnusedCode
from hfdeploy.database.checks.sqlite_connect_args_on_server_url import SqliteConnectArgsOnServerUrl
from hfdeploy.database.checks.unescaped_password_characters import UnescapedPasswordCharacters

CHECKS: tuple[type[Check], ...] = (
    PostgresSchemeRemoved,  # DB001
    UnescapedPasswordCharacters,  # DB002
    DatabaseUrlUnsetOnSpace,  # DB003
    DatabaseDriverNotDeclared,  # DB004
    SqliteConnectArgsOnServerUrl,  # DB005
    RelativeSqlitePath,  # DB006
    DatabasePortBlocked,  # DB007
    AlembicPercentNotDoubled,  # DB008
    AlembicUrlNotAppUrl,  # DB009
    DatabaseUrlDefaultLocalServer,  # DB010
    AlembicEnvCannotImportApp,  # DB011
    DatabaseSchemaNeverCreated,  # DB012
    AssembledUrlWithoutServer,  # DB013
    MigrationDuringBuild,  # DB016
    MigrationsNotRunAtStart,  # DB017
    SchemaCreatedInUnusedCode,  # DB018
)
