package dev.nersuite.ner.rest;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same API checks against the packaged application (fast-jar), as users run it. */
@QuarkusIntegrationTest
class NerResourceIT extends NerResourceTest {}
