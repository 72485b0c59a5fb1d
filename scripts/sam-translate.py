#!/usr/bin/env python3
"""Translate template.yaml (SAM) to the plain CloudFormation that AWS deploys, offline.

    python3 scripts/sam-translate.py template.yaml out/template.cfn.json

Used by scripts/test.sh to run checkov on the resources SAM generates (the functions'
roles, the Function URL, the EventBridge rules, ...), which checkov cannot see in the
SAM template itself. Needs only `aws-sam-translator` (pinned in scripts/constraints.txt;
aws-sam-cli brings it): no AWS credentials and no network. Managed policies named by
name come from the map bundled with the translator; the region is a placeholder
(nothing in the output is deployed).

A SAM resource's `Metadata` is copied to every resource generated from it (the
translator's passthrough_metadata), so a `checkov: skip:` written on an
`AWS::Serverless::Function` also covers its generated `AWS::Lambda::Function` and
`AWS::Lambda::Url`.
"""

import json
import sys
from pathlib import Path

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

# The translator needs S3 locations; `sam package` puts the built code there. Any
# well-formed value does, as it is never read.
PLACEHOLDER_CODE_URI = "s3://pipeline-router-placeholder/code.zip"


def translate(sam_template: dict) -> dict:
    """The CloudFormation template that the SAM transform makes of `sam_template`."""
    for resource in sam_template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource.setdefault("Properties", {})
        code_uri = properties.get("CodeUri")
        if code_uri is None or (isinstance(code_uri, str) and not code_uri.startswith("s3://")):
            properties["CodeUri"] = PLACEHOLDER_CODE_URI
    # A session made here with a region and dummy keys; the translator only reads its
    # region (for AWS::Region / AWS::Partition), it calls no AWS API.
    session = boto3.session.Session(
        region_name="us-east-1",
        aws_access_key_id="placeholder",
        aws_secret_access_key="placeholder",
    )
    translator = Translator(managed_policy_map=None, sam_parser=Parser(), boto_session=session)
    return translator.translate(
        sam_template=sam_template,
        parameter_values={},
        passthrough_metadata=True,
        get_managed_policy_map=lambda: {},
    )


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    try:
        translated = translate(yaml_parse(source.read_text(encoding="utf-8")))
    except InvalidDocumentException as error:
        for cause in error.causes:
            print(f"{source}: {cause.message}", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(translated, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{source} -> {target}: {len(translated.get('Resources', {}))} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
