package org.crmbulk.api.bulkaction;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

@ApplicationScoped
public class BulkActionService {

    @Transactional
    public BulkActionView create(BulkActionRequest request) {
        BulkAction action = new BulkAction();
        action.name = request.name();
        action.fromAddress = request.from();
        action.subjectTemplate = request.subject();
        action.textTemplate = request.textBody();
        action.persist();
        return BulkActionView.of(action);
    }

    @Transactional
    public Optional<BulkActionView> find(long id) {
        return BulkAction.<BulkAction>findByIdOptional(id).map(BulkActionView::of);
    }
}
