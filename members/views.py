# Placeholder views, replaced by the member register (issue 3).
from django.http import HttpResponse


def member_list(request):
    return HttpResponse("")


def member_detail(request, pk):
    return HttpResponse("")
