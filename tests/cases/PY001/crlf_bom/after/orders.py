# -*- coding: utf-8 -*-
"""Café orders."""
from fastapi import Depends


def get_db():
	return None


def order(
	db=Depends(get_db),
	*,
	coffee: str,
	size: str = "M",
):
	return {"coffee": coffee, "size": size}


print(order(None, coffee="café"))
