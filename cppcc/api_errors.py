"""One place that turns workflow and validation errors into Chinese 400/404/409 answers.

Kept apart from cppcc.api because DRF imports the permission classes while rest_framework.views
is still loading.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .workflow import ConflictError, WorkflowError


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, WorkflowError):
        return Response(
            {"detail": exc.message, "code": exc.code}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到该记录。")
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
