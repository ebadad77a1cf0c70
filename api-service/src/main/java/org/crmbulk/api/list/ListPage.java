package org.crmbulk.api.list;

import java.util.List;

public record ListPage(List<ListView> items, Long nextAfter) {
}
