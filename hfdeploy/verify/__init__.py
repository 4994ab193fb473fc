"""runtime domain: `hfdeploy verify` builds the image with a real Docker engine, runs it as a
Space would and probes it over HTTP. Results are RT findings in a `VerifyReport`; nothing here
prints."""
