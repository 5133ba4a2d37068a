#!/usr/bin/env bash
# The token-auth registry fixture: docker-registry challenges with Bearer,
# the token server signs JWTs the registry accepts, and the granted scope is
# enforced (anonymous callers may pull but not push).
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"

xb_registry_start --token "bob:t0ken-pass-$$" --anonymous-pull

headers="$(curl -s -D - -o /dev/null "$XB_REGISTRY_URL/v2/" | tr -d '\r')"
xb_assert_contains "${headers,,}" "http/1.1 401" "status of /v2/ without a token"
xb_assert_contains "$headers" "Bearer realm=\"$XB_REGISTRY_TOKEN_REALM\",service=\"$XB_REGISTRY_SERVICE\"" \
  "the Bearer challenge"

# Wrong password: the token server refuses, as real ones do.
xb_assert_eq 401 "$(xb_http_status "$XB_REGISTRY_TOKEN_REALM?service=$XB_REGISTRY_SERVICE" -u bob:nope)" \
  "token request with a wrong password"

token="$(xb_registry_token)"
[[ "$(tr -cd . <<<"$token" | wc -c)" == 2 ]] || xb_fail "token is not a JWT: $token"
xb_assert_eq 200 "$(xb_http_status "$XB_REGISTRY_URL/v2/" -H "Authorization: Bearer $token")" \
  "GET /v2/ with a token"
# Flip one character in the middle of the signature (the last one may only
# carry padding bits that decoders ignore).
sig="${token##*.}"
c="${sig:20:1}"
[[ "$c" == A ]] && c=B || c=A
forged="${token%.*}.${sig:0:20}$c${sig:21}"
xb_assert_eq 401 "$(xb_http_status "$XB_REGISTRY_URL/v2/" -H "Authorization: Bearer $forged")" \
  "GET /v2/ with a token whose signature was altered"

# A push token lets an upload start; an anonymous (pull-only) token does not.
push_token="$(xb_registry_token repository:e2e/app:pull,push)"
xb_assert_eq 202 "$(xb_http_status "$XB_REGISTRY_URL/v2/e2e/app/blobs/uploads/" -X POST \
  -H "Authorization: Bearer $push_token")" "POST upload with a push token"

anon_token="$(XB_TOKEN_ANONYMOUS=1 xb_registry_token repository:e2e/app:pull,push)"
xb_assert_eq 401 "$(xb_http_status "$XB_REGISTRY_URL/v2/e2e/app/blobs/uploads/" -X POST \
  -H "Authorization: Bearer $anon_token")" "POST upload with an anonymous pull-only token"
xb_assert_eq 404 "$(xb_http_status "$XB_REGISTRY_URL/v2/e2e/app/manifests/latest" \
  -H "Authorization: Bearer $anon_token")" "pull of a missing tag with an anonymous token"

# The OAuth2 POST form is served too (clients holding refresh tokens use it).
oauth="$(curl -sf -X POST "$XB_REGISTRY_TOKEN_REALM" -d grant_type=password -d client_id=e2e \
  -d "username=$XB_REGISTRY_USER" -d "password=$XB_REGISTRY_PASS" \
  -d "service=$XB_REGISTRY_SERVICE" -d "scope=repository:e2e/app:pull")"
access="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$oauth")"
xb_assert_eq 200 "$(xb_http_status "$XB_REGISTRY_URL/v2/" -H "Authorization: Bearer $access")" \
  "GET /v2/ with an OAuth2 access token"
