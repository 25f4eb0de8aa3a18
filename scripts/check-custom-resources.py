#!/usr/bin/env python3
"""Checks the custom resources of rendered manifests.

kubernetes-validate knows Kubernetes' own kinds only: a custom resource (such
as CloudNativePG's Cluster in the prod overlay) gets a warning and passes.
This checks each of them against a schema of ours in deployment/schemas/,
named <kind>.<group>-<version>.yaml, and fails for a custom resource that has
none, so none goes unchecked. Kubernetes' own kinds are left to
kubernetes-validate, which scripts/test runs on the same file.

Usage: check-custom-resources.py RENDERED.yaml...  (run with the Python of
$PYTHON_TOOLS, which has kubernetes-validate, jsonschema and PyYAML)
"""

import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import referencing
import yaml
from kubernetes_validate import utils

SCHEMAS = Path(__file__).resolve().parent.parent / "deployment" / "schemas"
K8S_VERSION = utils.latest_version()


def kubernetes_definitions():
    """kubernetes-validate's strict definitions of Kubernetes' own types, so
    our schemas can refer to them (ObjectMeta, ResourceRequirements, ...)."""
    schema_dir = "kubernetes-json-schema/v%s-local-strict" % K8S_VERSION
    contents = utils.schema_contents(schema_dir + "/_definitions.json", K8S_VERSION)
    return referencing.Resource.from_contents(contents)


def is_builtin(doc):
    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return False
    except kubernetes_validate.ValidationError:
        pass  # reported by kubernetes-validate itself
    return True


def main(paths):
    registry = kubernetes_definitions() @ referencing.Registry()
    failures = checked = 0
    for path in paths:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            if is_builtin(doc):
                continue
            api_version, kind = doc.get("apiVersion", ""), doc.get("kind", "")
            name = doc.get("metadata", {}).get("name", "?")
            group, _, version = api_version.rpartition("/")
            schema_file = SCHEMAS / f"{kind.lower()}.{group}-{version}.yaml"
            where = f"{path}: {kind} {name} ({api_version})"
            if not schema_file.is_file():
                print(f"FAIL {where}: no schema to check it against; write "
                      f"{schema_file.relative_to(SCHEMAS.parent.parent)}", file=sys.stderr)
                failures += 1
                continue
            with open(schema_file) as f:
                schema = yaml.safe_load(f)
            validator = jsonschema.Draft202012Validator(schema, registry=registry)
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
            for error in errors:
                field = ".".join(str(p) for p in error.absolute_path) or "(top)"
                print(f"FAIL {where}: {field}: {error.message}", file=sys.stderr)
            failures += bool(errors)
            checked += 1
    print(f"custom resources: {checked} checked against deployment/schemas, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
