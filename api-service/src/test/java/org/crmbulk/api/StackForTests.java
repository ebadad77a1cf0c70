package org.crmbulk.api;

import org.crmbulk.testing.CrmStackResource;

import io.quarkus.test.common.QuarkusTestResource;

/** api-service's tests share one real stack; api-service migrates the fresh database itself. */
@QuarkusTestResource(CrmStackResource.class)
public class StackForTests {
}
