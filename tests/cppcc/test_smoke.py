from cppcc.roles import roles_of


def test_cast_holds_its_roles(cast):
    for role, user in cast.items():
        assert role in roles_of(user)
