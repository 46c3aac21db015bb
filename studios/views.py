# Placeholder views, replaced by the studio pages (issue 4).
from django.http import HttpResponse


def studio_list(request):
    return HttpResponse("")


def studio_detail(request, pk):
    return HttpResponse("")
