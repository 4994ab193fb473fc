"""Checks of the space_config domain, in code order."""

from __future__ import annotations

from hfdeploy.check import Check
from hfdeploy.space_config.checks.ambiguous_fastapi_app import AmbiguousFastapiApp
from hfdeploy.space_config.checks.binary_file_in_repository import BinaryFileInRepository
from hfdeploy.space_config.checks.docker_irrelevant_front_matter_key import (
    DockerIrrelevantFrontMatterKey,
)
from hfdeploy.space_config.checks.fastapi_app_not_found import FastapiAppNotFound
from hfdeploy.space_config.checks.front_matter_value_wrong_type import FrontMatterValueWrongType
from hfdeploy.space_config.checks.invalid_app_port import InvalidAppPort
from hfdeploy.space_config.checks.invalid_front_matter_value import InvalidFrontMatterValue
from hfdeploy.space_config.checks.invalid_front_matter_yaml import InvalidFrontMatterYaml
from hfdeploy.space_config.checks.invalid_space_color import InvalidSpaceColor
from hfdeploy.space_config.checks.missing_space_front_matter import MissingSpaceFrontMatter
from hfdeploy.space_config.checks.missing_space_title import MissingSpaceTitle
from hfdeploy.space_config.checks.non_boolean_front_matter_value import NonBooleanFrontMatterValue
from hfdeploy.space_config.checks.short_description_too_long import ShortDescriptionTooLong
from hfdeploy.space_config.checks.space_sdk_not_docker import SpaceSdkNotDocker
from hfdeploy.space_config.checks.unknown_front_matter_key import UnknownFrontMatterKey
from hfdeploy.space_config.checks.unrecognised_front_matter_format import (
    UnrecognisedFrontMatterFormat,
)

CHECKS: tuple[type[Check], ...] = (
    MissingSpaceFrontMatter,  # SC001
    InvalidFrontMatterYaml,  # SC002
    SpaceSdkNotDocker,  # SC003
    InvalidSpaceColor,  # SC004
    InvalidAppPort,  # SC005
    ShortDescriptionTooLong,  # SC006
    NonBooleanFrontMatterValue,  # SC007
    FrontMatterValueWrongType,  # SC008
    InvalidFrontMatterValue,  # SC009
    FastapiAppNotFound,  # SC010
    AmbiguousFastapiApp,  # SC011
    DockerIrrelevantFrontMatterKey,  # SC012
    MissingSpaceTitle,  # SC013
    UnknownFrontMatterKey,  # SC014
    UnrecognisedFrontMatterFormat,  # SC015
    BinaryFileInRepository,  # SC016
)
