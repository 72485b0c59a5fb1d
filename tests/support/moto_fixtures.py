"""Set-up in the moto server that the functions never do themselves.

    python3 moto_fixtures.py --endpoint URL create-pipelines NAME...
    python3 moto_fixtures.py --endpoint URL topic-to-queue NAME  (prints {"topic_arn", "queue_url"})
    python3 moto_fixtures.py --endpoint URL read-queue QUEUE_URL (prints the SNS messages as JSON)
"""
import argparse
import json

import boto3

REGION = "us-east-1"
ROLE = "pipeline-router-test-role"


def client(service, endpoint):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def role_arn(endpoint):
    iam = client("iam", endpoint)
    try:
        return iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
        try:
            return iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        except iam.exceptions.EntityAlreadyExistsException:
            # Another test created it at the same moment.
            return iam.get_role(RoleName=ROLE)["Role"]["Arn"]


def create_pipelines(endpoint, names):
    codepipeline = client("codepipeline", endpoint)
    arn = role_arn(endpoint)
    for name in names:
        codepipeline.create_pipeline(
            pipeline={
                "name": name,
                "roleArn": arn,
                "artifactStore": {"type": "S3", "location": "artifacts"},
                "pipelineType": "V2",
                "stages": [
                    {
                        "name": "Source",
                        "actions": [
                            {
                                "name": "Source",
                                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
                                "configuration": {"RepositoryName": "monorepo", "BranchName": "main", "PollForSourceChanges": "false"},
                                "outputArtifacts": [{"name": "SourceOutput"}],
                            }
                        ],
                    },
                    {
                        "name": "Build",
                        "actions": [
                            {
                                "name": "Build",
                                "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                                "configuration": {"ProjectName": name},
                                "inputArtifacts": [{"name": "SourceOutput"}],
                            }
                        ],
                    },
                ],
            }
        )


def topic_to_queue(endpoint, name):
    topic_arn = client("sns", endpoint).create_topic(Name=name)["TopicArn"]
    sqs = client("sqs", endpoint)
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client("sns", endpoint).subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    print(json.dumps({"topic_arn": topic_arn, "queue_url": queue_url}))


def read_queue(endpoint, queue_url):
    sqs = client("sqs", endpoint)
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not batch:
            break
        messages.extend(json.loads(m["Body"]) for m in batch)
    print(json.dumps(messages))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("command", choices=["create-pipelines", "topic-to-queue", "read-queue"])
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    if args.command == "create-pipelines":
        create_pipelines(args.endpoint, args.names)
    elif args.command == "topic-to-queue":
        topic_to_queue(args.endpoint, args.names[0])
    else:
        read_queue(args.endpoint, args.names[0])


if __name__ == "__main__":
    main()
