from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication

from portal.services.api_keys import api_key_record_use


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's API key authentication, noting when each key was last used (profile page)."""

    def validate_user(self, auth_token):
        user_and_token = super().validate_user(auth_token)
        api_key_record_use(token=auth_token)
        return user_and_token


class TokenScheme(KnoxTokenScheme):
    """The same scheme in the OpenAPI schema (knoxApiToken) as knox's own class."""

    target_class = "portal.auth.TokenAuthentication"
