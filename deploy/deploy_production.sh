#!/usr/bin/env bash
# Builds the namix Lambda image, pushes it to ECR (tags: latest, the stage
# name -- "prod" by default -- and the git commit) and deploys the stack with
# the Serverless Framework.
#
#   deploy/deploy_production.sh [--stage prod] [--region us-east-1] [--alarm-email ops@example.com]
#
# Needs: docker, aws (CLI v2, credentials for the target account),
# serverless v3 (or npx), git. ECR_REPOSITORY overrides the repository name;
# DEPLOY_ENDPOINT_FILE, when set, receives the API's base URL.
set -euo pipefail

STAGE=prod
REGION=${AWS_REGION:-us-east-1}
ALARM_EMAIL=""
REPOSITORY=${ECR_REPOSITORY:-namix}
MAX_IMAGE_BYTES=$((1024 * 1024 * 1024))

die() {
  echo "deploy: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --stage) STAGE=${2:?--stage needs a value}; shift 2 ;;
    --region) REGION=${2:?--region needs a value}; shift 2 ;;
    --alarm-email) ALARM_EMAIL=${2:?--alarm-email needs a value}; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# 1. Prerequisites.
for tool in docker aws git; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
if command -v serverless >/dev/null 2>&1; then
  SLS=(serverless)
elif command -v npx >/dev/null 2>&1; then
  SLS=(npx --yes serverless@3)
else
  die "the Serverless Framework is not installed (npm install -g serverless@3)"
fi
docker info >/dev/null 2>&1 || die "docker is installed but its daemon is not reachable"
ACCOUNT=$(aws sts get-caller-identity --query Account --output text) ||
  die "no usable AWS credentials (aws sts get-caller-identity failed)"
REGISTRY="$ACCOUNT.dkr.ecr.$REGION.amazonaws.com"
COMMIT=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain)" ]; then
  COMMIT="$COMMIT-dirty"
fi
echo "deploy: stage $STAGE, region $REGION, account $ACCOUNT, commit $COMMIT"

# 2. The ECR repository, created on first use.
if ! aws ecr describe-repositories --region "$REGION" --repository-names "$REPOSITORY" >/dev/null 2>&1; then
  echo "deploy: creating ECR repository $REPOSITORY"
  aws ecr create-repository --region "$REGION" --repository-name "$REPOSITORY" \
    --image-scanning-configuration scanOnPush=true --image-tag-mutability MUTABLE >/dev/null
fi
aws ecr get-login-password --region "$REGION" |
  docker login --username AWS --password-stdin "$REGISTRY" >/dev/null

# 3. Build, with a size check (Lambda allows 10 GB; we promise well under 1 GB).
LOCAL_TAG="namix-lambda:$COMMIT"
docker build --platform linux/amd64 -f deploy/Dockerfile -t "$LOCAL_TAG" .
SIZE=$(docker image inspect --format '{{.Size}}' "$LOCAL_TAG")
echo "deploy: image size $((SIZE / 1024 / 1024)) MiB"
[ "$SIZE" -lt "$MAX_IMAGE_BYTES" ] || die "image is $((SIZE / 1024 / 1024)) MiB, over the 1 GiB budget"

# 4. Tag latest, the stage and the commit; push.
for tag in latest "$STAGE" "$COMMIT"; do
  docker tag "$LOCAL_TAG" "$REGISTRY/$REPOSITORY:$tag"
  docker push "$REGISTRY/$REPOSITORY:$tag"
done
# Deploy by digest, so the function runs exactly the image just pushed.
DIGEST=$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$LOCAL_TAG" |
  grep "^$REGISTRY/$REPOSITORY@" | head -n 1)
[ -n "$DIGEST" ] || die "could not find the pushed image's digest"

# 5. Deploy.
export NAMIX_IMAGE_URI="$DIGEST"
"${SLS[@]}" deploy --config deploy/serverless.yml --stage "$STAGE" --region "$REGION" \
  --param="alarmEmail=$ALARM_EMAIL"
# The HTTP API's base URL: scheme and host of the first route listed.
ENDPOINT=$("${SLS[@]}" info --config deploy/serverless.yml --stage "$STAGE" --region "$REGION" |
  grep -o 'https://[^/ ]*execute-api[^/ ]*' | head -n 1 || true)
echo "deploy: done. API: ${ENDPOINT:-see 'serverless info'}"
# CI reads the endpoint from here for the smoke test.
if [ -n "${DEPLOY_ENDPOINT_FILE:-}" ]; then echo "$ENDPOINT" >"$DEPLOY_ENDPOINT_FILE"; fi
echo "deploy: smoke test: python3 deploy/smoke_test.py ${ENDPOINT:-https://API-ID.execute-api.$REGION.amazonaws.com}"
