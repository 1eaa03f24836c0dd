from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """?page=N&page_size=M, capped so one request cannot ask for the whole table."""

    page_size_query_param = "page_size"
    max_page_size = 100
