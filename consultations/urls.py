# The seven-step "一镇一事" consultations arrive with their own issue; the namespace exists now so
# that the root URLconf and navigation need no change then.
app_name = "consultations"
urlpatterns: list = []
