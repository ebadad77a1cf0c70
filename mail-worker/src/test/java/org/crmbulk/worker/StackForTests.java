package org.crmbulk.worker;

import org.crmbulk.testing.CrmStackResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** The worker's tests share one real stack; the worker only validates the schema, so the test migrates it. */
@QuarkusTestResource(value = CrmStackResource.class, initArgs = @ResourceArg(name = "migrate", value = "true"))
public class StackForTests {
}
