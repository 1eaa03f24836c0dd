"""The catalog API: public reads of categories and products, staff image uploads."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from shop.celery import Priority
from shop.platform.errors import TooLarge

from . import api_cache, selectors, services
from .models import Category, Product
from .serializers import (
    CategorySerializer,
    ProductImageProgressSerializer,
    ProductImageUploadSerializer,
    ProductSerializer,
    StaffProductSerializer,
)

ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"error": {"status", "code", "message", "details"?}}'
)
# The query parameters selectors.product_search reads, for the schema.
PRODUCT_SEARCH_PARAMETERS = [
    OpenApiParameter("category", str, description="A category's slug."),
    OpenApiParameter("ids", str, description="Only these products: ids, comma-separated."),
    OpenApiParameter("search", str, description="Words that the name, description or SKU contain."),
    OpenApiParameter(
        "ordering",
        str,
        description=f"Comma-separated, `-` for descending: {', '.join(selectors.ORDERING_FIELDS)}.",
    ),
]
# Room for the multipart envelope around the file when refusing a body by its length.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def _is_staff(request: Request) -> bool:
    return bool(request.user and request.user.is_staff)


@extend_schema_view(list=extend_schema(summary="Categories, with the number of active products in each"))
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = CategorySerializer
    queryset = Category.objects.none()  # the schema reads the model here
    search_fields = ["name"]
    ordering_fields = ["position", "name"]

    def get_queryset(self):
        return selectors.category_list()


@extend_schema_view(
    list=extend_schema(
        summary="Products, with their ready images and rendition URLs",
        description="Without `ordering`, products in stock with a ready picture come first, then the rest; "
        "each group by name.",
        parameters=PRODUCT_SEARCH_PARAMETERS,
    ),
    retrieve=extend_schema(summary="One product, with its images and rendition URLs"),
)
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalog is public; staff also see inactive products and images still processing."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    queryset = Product.objects.none()  # the schema reads the model here
    filter_backends = []  # the list filters through selectors.product_search, as the storefront does

    def get_queryset(self):
        if self.action == "list":
            return selectors.product_search(
                query=self.request.query_params, unpublished=_is_staff(self.request)
            )
        return selectors.product_list(unpublished=_is_staff(self.request))

    def list(self, request: Request, *args, **kwargs) -> HttpResponse:
        return api_cache.product_page(
            request, lambda: super(ProductViewSet, self).list(request, *args, **kwargs)
        )

    def get_serializer_class(self):
        if self.action == "images":
            return ProductImageUploadSerializer
        return StaffProductSerializer if _is_staff(self.request) else ProductSerializer

    @extend_schema(
        summary="Upload an image of the product (staff); it is processed on the images queue",
        request={"multipart/form-data": ProductImageUploadSerializer},
        responses={
            202: ProductImageProgressSerializer,
            400: ERROR_RESPONSE,
            403: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
            413: ERROR_RESPONSE,
            415: ERROR_RESPONSE,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAdminUser],
        parser_classes=[MultiPartParser, FormParser],
    )
    def images(self, request: Request, pk: str | None = None) -> Response:
        product = self.get_object()
        # Refuse an oversized body before it is parsed (and spooled to a temporary file).
        declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared_length > settings.CATALOG_IMAGE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES:
            raise TooLarge(
                f"The request has {declared_length:,} bytes; an image may have "
                f"{settings.CATALOG_IMAGE_MAX_BYTES:,}.",
                code="file_too_large",
            )
        params = ProductImageUploadSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        image = services.product_image_add(
            product=product,
            upload=params.validated_data["image"],
            uploaded_by=request.user,
            priority=Priority.HIGH,
        )
        body = ProductImageProgressSerializer(image, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)
