from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .services import customer_register

User = get_user_model()


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, min_length=8, max_length=128)
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "is_staff"]


class AccountWithTokenSerializer(AccountSerializer):
    token = serializers.CharField(read_only=True)

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "token"]


class RegisterView(APIView):
    """Create a customer account; answers with its API token."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: AccountWithTokenSerializer})
    def post(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = customer_register(**data.validated_data)  # a refusal is a 400 (shop.platform.api_errors)
        user.token = Token.objects.create(user=user).key
        return Response(AccountWithTokenSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(responses=AccountSerializer)
    def get(self, request):
        return Response(AccountSerializer(request.user).data)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (`Authorization: Token <key>`)."""

    permission_classes = [permissions.AllowAny]
    # ObtainAuthToken turns throttling off; passwords are exactly what must not be guessed fast.
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES
    throttle_scope = "login"


urlpatterns = [
    path("register/", RegisterView.as_view(), name="auth-register"),
    path("token/", TokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="auth-me"),
]
