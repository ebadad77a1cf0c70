package org.crmbulk.system;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the shared stack when the test session ends, before the JVM exits, so its exit stays clean. */
public class StackSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        Stack.closeShared();
    }
}
