package org.crmbulk.api.user;

import java.util.List;
import java.util.Optional;

import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.problem.ProblemException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

@ApplicationScoped
public class UserService {

    @Transactional
    public UserView create(UserRequest request) {
        refuseTakenExternalId(request.externalId(), null);
        CrmUser user = new CrmUser();
        apply(user, request);
        user.persist();
        return UserView.of(user);
    }

    @Transactional
    public Optional<UserView> find(long id) {
        return CrmUser.<CrmUser>findByIdOptional(id).map(UserView::of);
    }

    @Transactional
    public UserView.Page all(Boolean active, long after, int limit) {
        List<CrmUser> found = (active == null
                ? CrmUser.<CrmUser>find("id > ?1 ORDER BY id", after)
                : CrmUser.<CrmUser>find("id > ?1 AND active = ?2 ORDER BY id", after, active)).page(0, limit + 1).list();
        Keyset<UserView> page = Keyset.page(found, limit, UserView::of, UserView::id);
        return new UserView.Page(page.items(), page.next());
    }

    @Transactional
    public UserView update(long id, UserRequest request) {
        CrmUser user = existing(id);
        refuseTakenExternalId(request.externalId(), id);
        apply(user, request);
        return UserView.of(user);
    }

    @Transactional
    public UserView setActive(long id, boolean active) {
        CrmUser user = existing(id);
        user.active = active;
        return UserView.of(user);
    }

    private static CrmUser existing(long id) {
        CrmUser user = CrmUser.findById(id);
        if (user == null) {
            throw ProblemException.notFound("user", id, "id");
        }
        return user;
    }

    private static void refuseTakenExternalId(String externalId, Long self) {
        if (externalId == null) {
            return;
        }
        CrmUser other = CrmUser.find("externalId", externalId).firstResult();
        if (other != null && !other.id.equals(self)) {
            throw new ProblemException(Response.Status.CONFLICT, "a user with external ID " + externalId + " already exists",
                    "externalId", "already used by user " + other.id);
        }
    }

    private static void apply(CrmUser user, UserRequest request) {
        user.externalId = request.externalId();
        user.email = request.email();
        user.firstName = request.firstName();
        user.lastName = request.lastName();
    }
}
