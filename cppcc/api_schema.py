"""What every app's API shares for its OpenAPI schema: the documented error answers and choice
fields with their own schema component names.

Kept apart from cppcc.api, which DRF imports while it is still loading (permission classes).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

ERRORS = {
    400: OpenApiResponse(description="输入不符合规则（中文说明见 detail）"),
    403: OpenApiResponse(description="无权执行该操作"),
    404: OpenApiResponse(description="记录不存在或不在您的数据范围内"),
}
CONFLICT = {409: OpenApiResponse(description="记录已被他人处理")}


def enum_field(choices, name: str):
    """A choice field with its own schema component: several models have a field called
    `status`, and drf-spectacular would otherwise give their enums colliding names."""

    @extend_schema_field(
        {
            "type": "string",
            "enum": [value for value, _label in choices],
            "description": "；".join(f"{v}：{lbl}" for v, lbl in choices),
        },
        component_name=name,
    )
    class Field(serializers.ChoiceField):
        pass

    return Field
