# Built FROM the parent stage pushed as an image: triggers come from its config.
ARG BASE=busybox
FROM $BASE
RUN cat /onbuild.txt > /child-saw.txt
